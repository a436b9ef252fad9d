"""Grading jobs: each archetype whose answers are complete is graded once, by a worker, durably.

`queue.py` is the table as a queue, `grade.py` what one job does, `worker.py` the loop that works them
(`stardrive worker`, or in-process in `serve`), `grades.py` how the debrief reads what they stored.
"""
