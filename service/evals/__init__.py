"""The eval suite's code: case loading, metrics, the runner. Cases and thresholds live in evals/."""
