package org.cleanroom.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A read-only Hadoop FileSystem, scheme {@code crenc}, whose files are the plaintext of encrypted
 * dataset containers stored on another file system: {@code crenc:///data/x.csv} is the container
 * at {@code file:///data/x.csv} (or under the base named by {@code fs.crenc.underlying}). Lengths
 * are plaintext lengths; streams seek over the plaintext, decrypting one chunk per read, so Spark's
 * own CSV, JSON and Parquet readers run unchanged. Keys come from {@link DataKeys}.
 */
public class CrencFileSystem extends FileSystem {
  public static final String SCHEME = "crenc";
  /** Hadoop setting: the base URI of the file system holding the containers (default file:///). */
  public static final String UNDERLYING = "fs.crenc.underlying";

  private URI uri;
  private URI underlyingBase;
  private FileSystem underlying;
  private Path workingDirectory;

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    if (name.getAuthority() != null && !name.getAuthority().isEmpty()) {
      throw new IOException("crenc: paths have no authority (crenc:///path); the base is "
          + UNDERLYING);
    }
    uri = URI.create(SCHEME + ":///");
    underlyingBase = URI.create(conf.get(UNDERLYING, "file:///"));
    if (SCHEME.equals(underlyingBase.getScheme())) {
      throw new IOException("crenc: " + UNDERLYING + " cannot itself be crenc");
    }
    underlying = FileSystem.get(underlyingBase, conf);
    workingDirectory = new Path("/").makeQualified(uri, null);
    setConf(conf);
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return uri;
  }

  private Path toUnderlying(Path path) {
    String p = makeQualified(path).toUri().getPath();
    return new Path(underlyingBase.getScheme(), underlyingBase.getAuthority(), p);
  }

  private Path toCrenc(Path underlyingPath) {
    return new Path(underlyingPath.toUri().getPath()).makeQualified(uri, workingDirectory);
  }

  private FileStatus toCrenc(FileStatus stored) throws IOException {
    long length = stored.isFile() ? plaintextLength(stored) : 0;
    return new FileStatus(length, stored.isDirectory(), stored.getReplication(),
        stored.getBlockSize(), stored.getModificationTime(), stored.getAccessTime(),
        stored.getPermission(), stored.getOwner(), stored.getGroup(), toCrenc(stored.getPath()));
  }

  private long plaintextLength(FileStatus stored) throws IOException {
    try (HadoopSource source =
        new HadoopSource(underlying.open(stored.getPath()), stored.getLen())) {
      return ContainerReader.plaintextSize(ContainerHeader.read(source), stored.getLen());
    }
  }

  @Override
  public FileStatus getFileStatus(Path path) throws IOException {
    return toCrenc(underlying.getFileStatus(toUnderlying(path)));
  }

  @Override
  public FileStatus[] listStatus(Path path) throws IOException {
    FileStatus[] stored = underlying.listStatus(toUnderlying(path));
    FileStatus[] out = new FileStatus[stored.length];
    for (int i = 0; i < stored.length; i++) {
      out[i] = toCrenc(stored[i]);
    }
    return out;
  }

  @Override
  public FSDataInputStream open(Path path, int bufferSize) throws IOException {
    Path stored = toUnderlying(path);
    FileStatus status = underlying.getFileStatus(stored);
    if (!status.isFile()) {
      throw new FileNotFoundException("crenc: not a file: " + path.getName());
    }
    HadoopSource source = new HadoopSource(underlying.open(stored, bufferSize), status.getLen());
    byte[] key = null;
    try {
      ContainerHeader header = ContainerHeader.read(source);
      key = DataKeys.get(header.keyId(), getConf().get(DataKeys.TEST_KEY_SERVER));
      return new FSDataInputStream(new CrencInputStream(new ContainerReader(source, key)));
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    } finally {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  @Override
  public void setWorkingDirectory(Path directory) {
    workingDirectory = directory.makeQualified(uri, workingDirectory);
  }

  private static IOException readOnly() {
    return new IOException("crenc: read-only file system (containers are written by "
        + "`cleanroom encrypt`)");
  }

  @Override
  public FSDataOutputStream create(Path path, FsPermission permission, boolean overwrite,
      int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    throw readOnly();
  }

  @Override
  public FSDataOutputStream append(Path path, int bufferSize, Progressable progress)
      throws IOException {
    throw readOnly();
  }

  @Override
  public boolean rename(Path source, Path destination) throws IOException {
    throw readOnly();
  }

  @Override
  public boolean delete(Path path, boolean recursive) throws IOException {
    throw readOnly();
  }

  @Override
  public boolean mkdirs(Path path, FsPermission permission) throws IOException {
    throw readOnly();
  }
}
