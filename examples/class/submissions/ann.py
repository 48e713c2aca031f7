# Homework 3 - ann (python examples/class/homework.py ann prints the questions)
Q1 = "24x^2 + 1"
Q2 = "14x cos(7x^2)"
Q3 = {"w": "6(3w + b - 9)", "b": "2(3w + b - 9)"}
