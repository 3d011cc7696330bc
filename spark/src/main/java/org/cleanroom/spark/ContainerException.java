package org.cleanroom.spark;

import java.io.IOException;

/**
 * A container that is corrupt, truncated, tampered with, or opened with the wrong key (the spec's
 * DataLoss). The message names the field or chunk that failed; it never holds plaintext, key
 * bytes or a file path.
 */
public final class ContainerException extends IOException {
  private static final long serialVersionUID = 1L;

  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
