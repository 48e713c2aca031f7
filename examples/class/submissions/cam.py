# Homework 3 - cam: a sign slips in the derivative by b
Q1 = "14x + 7"
Q2 = "16x cos(8x^2)"
Q3 = {"w": "6(3w + b - 3)", "b": "-2(3w + b - 3)"}
