"""Python's xgboost on the other side of the clean room's model files (ml_test runs it).

  predict MODEL ROWS.csv        prints one prediction per row (repr of a float32)
  train ROWS.csv LABELS.csv OUT ROUNDS [PARAMS.json]
                                trains (binary:logistic, max_depth 3, eta 0.3, hist, seed 7
                                unless PARAMS.json gives the parameters) and saves OUT (.json
                                or .ubj)
  continue MODEL ROWS.csv LABELS.csv OUT ROUNDS PARAMS.json
                                continues MODEL for ROUNDS more rounds (training continuation,
                                what a fine-tuning job does) and saves OUT
  rounds MODEL                  prints the model's boosted rounds
  deprecated MODEL OUT          saves MODEL in the deprecated binary format (to be refused)

ROWS.csv has a header of feature names; values are written with full float precision.
"""
import json
import sys

import numpy as np
import xgboost as xgb


def read_rows(path):
    with open(path) as f:
        names = f.readline().strip().split(",")
    values = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    return xgb.DMatrix(values, feature_names=names, missing=np.nan)


def main():
    if sys.argv[1] == "predict":
        booster = xgb.Booster(model_file=sys.argv[2])
        for p in booster.predict(read_rows(sys.argv[3])):
            print(repr(float(np.float32(p))))
    elif sys.argv[1] == "train":
        data = read_rows(sys.argv[2])
        data.set_label(np.loadtxt(sys.argv[3], dtype=np.float32))
        params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3,
                  "tree_method": "hist", "seed": 7}
        if len(sys.argv) > 6:
            with open(sys.argv[6]) as f:
                params = json.load(f)
        booster = xgb.train(params, data, int(sys.argv[5]))
        booster.save_model(sys.argv[4])
    elif sys.argv[1] == "continue":
        data = read_rows(sys.argv[3])
        data.set_label(np.loadtxt(sys.argv[4], dtype=np.float32))
        with open(sys.argv[7]) as f:
            params = json.load(f)
        booster = xgb.train(params, data, int(sys.argv[6]),
                            xgb_model=xgb.Booster(model_file=sys.argv[2]))
        booster.save_model(sys.argv[5])
    elif sys.argv[1] == "rounds":
        print(xgb.Booster(model_file=sys.argv[2]).num_boosted_rounds())
    elif sys.argv[1] == "deprecated":
        with open(sys.argv[3], "wb") as f:
            f.write(xgb.Booster(model_file=sys.argv[2]).save_raw(raw_format="deprecated"))
    else:
        sys.exit("unknown mode")


if __name__ == "__main__":
    main()
