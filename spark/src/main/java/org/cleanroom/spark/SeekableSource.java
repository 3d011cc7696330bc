package org.cleanroom.spark;

import java.io.Closeable;
import java.io.IOException;

/** The stored container's bytes, read at any offset: a local file or a Hadoop stream. */
public interface SeekableSource extends Closeable {
  /** The stored size in bytes. */
  long size() throws IOException;

  /** Reads exactly {@code length} bytes at {@code position}, or throws (EOF included). */
  void readFully(long position, byte[] buffer, int offset, int length) throws IOException;
}
