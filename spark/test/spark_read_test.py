"""Spark's own CSV and Parquet readers over containers written by `cleanroom encrypt`, through
the crenc:// FileSystem, on a real Spark master: the same rows and aggregates as over the
plaintext files; a tampered container fails the job with the chunk named and no cell value.

usage: spark_read_test.py MASTER CLEANROOM_BINARY JAR WORKDIR
The data keys are served to the executors from this process's memory by a loopback test key
server (DataKeys' test hook); they are never in Spark's configuration.
"""
import glob
import json
import base64
import os
import shutil
import socket
import subprocess
import sys
import threading

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

master, binary, jar, work = sys.argv[1:5]
plain_dir, enc_dir, key_dir = (os.path.join(work, d) for d in ("plain", "enc", "keys"))
for d in (plain_dir, enc_dir, key_dir):
    os.makedirs(d, exist_ok=True)

keys = {}  # key_id hex -> key bytes, in this process's memory only
fetches = []


def serve(server):
    while True:
        try:
            client, _ = server.accept()
        except OSError:
            return
        with client:
            asked = client.recv(33).decode("ascii").strip()
            key = keys.get(asked)
            client.sendall((key.hex() if key else "none").encode("ascii") + b"\n")
            fetches.append(asked)


def encrypt(name):
    dek = os.path.join(key_dir, name + ".dek")
    subprocess.run([binary, "encrypt", "--in", os.path.join(plain_dir, name), "--out",
                    os.path.join(enc_dir, name), "--key-out", dek, "--chunk-size", "4096",
                    "--dataset-id", "ds-" + name], check=True, stdout=subprocess.DEVNULL)
    with open(dek) as f:
        doc = json.load(f)
    os.remove(dek)  # the provider's copy: this test keeps the key in memory only
    keys[doc["key_id"]] = base64.b64decode(doc["key"])


# Plaintext: a CSV with a header, 20000 rows; a marker in every name to look for in errors.
regions = ["north", "south", "east", "west", "centre"]
with open(os.path.join(plain_dir, "people.csv"), "w") as f:
    f.write("id,region,name,amount\n")
    for i in range(20000):
        f.write(f"{i},{regions[i * 7 % 5]},CELLMARKER{i},{(i * 37) % 1000 / 10}\n")

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)
threading.Thread(target=serve, args=(server,), daemon=True).start()

spark = (SparkSession.builder.master(master).appName("crenc-read-test")
         .config("spark.driver.host", "127.0.0.1")
         .config("spark.executor.memory", "512m")
         .config("spark.driver.extraClassPath", jar)
         .config("spark.executor.extraClassPath", jar)
         .config("spark.hadoop.fs.crenc.impl", "org.cleanroom.spark.CrencFileSystem")
         .config("spark.hadoop.fs.crenc.test-key-server", f"127.0.0.1:{server.getsockname()[1]}")
         # Small splits: several tasks per file, each seeking into the middle of the container.
         .config("spark.sql.files.maxPartitionBytes", "65536")
         .config("spark.sql.files.openCostInBytes", "0")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
schema = "id INT, region STRING, name STRING, amount DOUBLE"

# A single Parquet file with several row groups, written by Spark from the CSV.
staging = os.path.join(work, "parquet-staging")
(spark.read.option("header", True).schema(schema).csv(os.path.join(plain_dir, "people.csv"))
 .coalesce(1).write.option("parquet.block.size", 65536).parquet(staging))
shutil.copy(glob.glob(os.path.join(staging, "part-*.parquet"))[0],
            os.path.join(plain_dir, "people.parquet"))
encrypt("people.csv")
encrypt("people.parquet")


def frames(name, read):
    return read(os.path.join(plain_dir, name)), read("crenc://" + os.path.join(enc_dir, name))


def check(label, plain, enc):
    partitions = enc.rdd.getNumPartitions()
    assert partitions > 1, f"{label}: expected the file split, got {partitions} partition"
    rows_plain = sorted(plain.collect())
    rows_enc = sorted(enc.collect())
    assert len(rows_plain) == 20000, (label, len(rows_plain))
    assert rows_enc == rows_plain, label
    agg = lambda df: sorted(df.groupBy("region").agg(
        # Double sums depend on the order partitions are merged in: rounded; ids are exact.
        F.count("*").alias("n"), F.round(F.sum("amount"), 6).alias("s"), F.sum("id").alias("i"),
        F.countDistinct("name").alias("d")).collect())
    assert agg(enc) == agg(plain), label
    print(f"{label}: {len(rows_enc)} rows, {partitions} partitions, same rows and aggregates")


csv = lambda p: spark.read.option("header", True).schema(schema).csv(p)
check("csv", *frames("people.csv", csv))
check("csv inferred", *frames("people.csv",
      lambda p: spark.read.option("header", True).option("inferSchema", True).csv(p)))
check("parquet", *frames("people.parquet", spark.read.parquet))

# A flipped bit in one chunk of the encrypted CSV: the job fails, naming the chunk.
with open(os.path.join(enc_dir, "people.csv"), "rb") as f:
    data = bytearray(f.read())
data[len(data) // 2] ^= 1
bad = os.path.join(work, "tampered.csv")
with open(bad, "wb") as f:
    f.write(data)
try:
    csv("crenc://" + bad).agg(F.sum("amount")).collect()
    raise AssertionError("a tampered container was read")
except AssertionError:
    raise
except Exception as e:  # py4j or Spark's error wrapping the executor's ContainerException
    text = str(e)
    assert "authentication failed" in text and "chunk " in text, text[:2000]
    assert "CELLMARKER" not in text, "a cell value in the error"
    print("tampered: refused (" + text[text.index("chunk "):].split("\n")[0][:60] + ")")

assert fetches, "the key server was never asked"
print(f"key server: {len(fetches)} fetches of {len(set(fetches))} keys")
spark.stop()
server.close()
