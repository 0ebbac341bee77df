import numpy as np
import pandas as pd
from scipy import stats

rng = np.random.default_rng(7)
frame = pd.DataFrame({"group": list("ababab"), "value": rng.normal(size=6)})
print(frame.groupby("group")["value"].agg(["mean", "std"]))
print("t-test p =", round(stats.ttest_1samp(frame["value"], 0).pvalue, 3))
