package org.cleanroom.spark;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;

/** A stored container read through a Hadoop stream (positional reads, so no shared cursor). */
final class HadoopSource implements SeekableSource {
  private final FSDataInputStream in;
  private final long size;

  HadoopSource(FSDataInputStream in, long size) {
    this.in = in;
    this.size = size;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void readFully(long position, byte[] buffer, int offset, int length) throws IOException {
    in.readFully(position, buffer, offset, length);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
