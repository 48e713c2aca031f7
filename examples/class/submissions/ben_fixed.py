# Homework 3 - ben, second hand-in after the feedback
Q1 = "16x + 8"
Q2 = "10x cos(5x^2)"
Q3 = {"w": "6(3w + b - 4)", "b": "2(3w + b - 4)"}
