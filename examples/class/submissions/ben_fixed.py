# Homework 3 - ben, second hand-in after the feedback
Q1 = "6x + 8"
Q2 = "4x cos(2x^2)"
Q3 = {"w": "10(5w + b - 7)", "b": "2(5w + b - 7)"}
