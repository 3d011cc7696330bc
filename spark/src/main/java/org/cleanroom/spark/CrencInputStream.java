package org.cleanroom.spark;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.fs.FSInputStream;

/**
 * The plaintext of a container as a seekable Hadoop stream: a read decrypts (and authenticates)
 * only the chunk it falls in, and keeps that one chunk until the position leaves it.
 */
final class CrencInputStream extends FSInputStream {
  private final ContainerReader reader;
  private final long size;
  private final int chunkSize;
  private long position;
  private long chunkIndex = -1;
  private byte[] chunk;
  private boolean closed;

  CrencInputStream(ContainerReader reader) {
    this.reader = reader;
    this.size = reader.plaintextSize();
    this.chunkSize = reader.header().chunkSize();
  }

  @Override
  public synchronized void seek(long target) throws IOException {
    checkOpen();
    if (target < 0 || target > size) {
      throw new EOFException("crenc: seek to " + target + " outside the plaintext of " + size);
    }
    position = target;
  }

  @Override
  public synchronized long getPos() {
    return position;
  }

  @Override
  public boolean seekToNewSource(long target) {
    return false;
  }

  @Override
  public synchronized int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
    checkOpen();
    if (length == 0) {
      return 0;
    }
    if (position >= size) {
      return -1;
    }
    long index = position / chunkSize;
    if (index != chunkIndex) {
      wipeChunk();
      chunk = reader.readChunk(index);
      chunkIndex = index;
    }
    int within = (int) (position - index * chunkSize);
    int n = Math.min(length, chunk.length - within);
    System.arraycopy(chunk, within, buffer, offset, n);
    position += n;
    return n;
  }

  @Override
  public synchronized int available() {
    long left = size - position;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, left));
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      wipeChunk();
      reader.close();
    }
  }

  private void wipeChunk() {
    if (chunk != null) {
      Arrays.fill(chunk, (byte) 0);
      chunk = null;
      chunkIndex = -1;
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("crenc: stream closed");
    }
  }
}
