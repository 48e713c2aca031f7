# Homework 3 - ann (python examples/class/homework.py ann prints the questions)
Q1 = "12x^2 + 9"
Q2 = "8x cos(4x^2)"
Q3 = {"w": "6(3w + b - 7)", "b": "2(3w + b - 7)"}
