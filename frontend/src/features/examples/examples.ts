// Starter programs. Each runs within the default limits and imports only allowed modules,
// except the policy one, which shows what a rejection looks like.
export interface Example {
  id: string;
  title: string;
  code: string;
  stdin?: string;
}

export const DEFAULT_CODE = `import numpy as np

# Press Run (or Ctrl+Enter; ⌘+Enter on a Mac) to run it.
values = np.arange(1, 11)
print("values:", values)
print("mean:", values.mean(), "std:", round(values.std(), 3))
`;

export const EXAMPLES: readonly Example[] = [
  {
    id: 'numpy',
    title: 'NumPy: linear algebra',
    code: `import numpy as np

rng = np.random.default_rng(42)
a = rng.normal(size=(3, 3))
b = np.array([1.0, 2.0, 3.0])

x = np.linalg.solve(a, b)
print("A =\\n", a.round(3))
print("solution x =", x.round(4))
print("check A @ x == b:", np.allclose(a @ x, b))
print("eigenvalues:", np.linalg.eigvals(a).round(3))
`,
  },
  {
    id: 'pandas',
    title: 'pandas: group and summarise',
    code: `import pandas as pd

df = pd.DataFrame({
    "city": ["Paris", "Lyon", "Paris", "Nice", "Lyon", "Paris"],
    "month": ["Jan", "Jan", "Feb", "Feb", "Mar", "Mar"],
    "sales": [120, 80, 150, 60, 95, 170],
})

print(df)
print()
summary = df.groupby("city")["sales"].agg(["count", "sum", "mean"])
print(summary.sort_values("sum", ascending=False))
`,
  },
  {
    id: 'scipy',
    title: 'SciPy: optimise and integrate',
    code: `import numpy as np
from scipy import integrate, optimize

def f(x):
    return (x - 2) ** 2 + np.sin(3 * x)

best = optimize.minimize_scalar(f, bounds=(0, 4), method="bounded")
print(f"minimum of f at x = {best.x:.4f}, f(x) = {best.fun:.4f}")

area, err = integrate.quad(np.exp, 0, 1)
print(f"integral of e^x on [0, 1] = {area:.6f} (error ~ {err:.1e})")
`,
  },
  {
    id: 'table',
    title: 'pandas: a table as a result',
    code: `import pandas as pd

df = pd.DataFrame({
    "city": ["Paris", "Lyon", "Paris", "Nice", "Lyon", "Paris"],
    "sales": [120, 80, 150, 60, 95, 170],
})
display(df.describe())

# The value of the last line is shown as a result, as in a notebook cell.
df.groupby("city")["sales"].agg(["count", "sum", "mean"])
`,
  },
  {
    id: 'plot',
    title: 'matplotlib: a plot',
    code: `import numpy as np
import matplotlib.pyplot as plt

x = np.linspace(0, 2 * np.pi, 200)
plt.plot(x, np.sin(x), label="sin")
plt.plot(x, np.cos(x), label="cos")
plt.title("Two waves")
plt.legend()
plt.show()
`,
  },
  {
    id: 'live',
    title: 'Live: output and input while it runs',
    code: `import time

name = input("What is your name? ")
for i in range(5, 0, -1):
    print(f"{i}...")
    time.sleep(0.5)
print(f"Lift-off, {name}!")
`,
  },
  {
    id: 'stdin',
    title: 'Reading standard input',
    code: `import statistics

n = int(input())
numbers = [float(input()) for _ in range(n)]
print("numbers:", numbers)
print("median:", statistics.median(numbers))
`,
    stdin: '4\n3.5\n1\n9\n2.25\n',
  },
  {
    id: 'error',
    title: 'A runtime error',
    code: `def average(values):
    return sum(values) / len(values)

print(average([1, 2, 3]))
print(average([]))
`,
  },
  {
    id: 'policy',
    title: 'Rejected by the policy (import os)',
    code: `import os

# The sandbox policy allows computation, not the operating system:
# this program is rejected before it runs.
print(os.listdir("/"))
`,
  },
];
