"""Trains the on-target parity model of issue 9: wine, StandardScaler >>
RandomForestClassifier(20). The scaler is folded into the forest's
thresholds, so on AVR it needs no double arithmetic and links.

usage: wine_scaled_forest.py OUT_DIR  (writes wine.joblib and X_test.npy)"""
import os
import sys

import joblib
import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
X, y = load_wine(return_X_y=True)
Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, random_state=0)
pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=20, random_state=0)).fit(Xtr, ytr)
joblib.dump(pipe, os.path.join(out, "wine.joblib"))
np.save(os.path.join(out, "X_test.npy"), Xte.astype(np.float32))
