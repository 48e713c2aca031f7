# Homework 3 - ben, first hand-in: the chain rule's inner derivative is missing in Q2
Q1 = "16x + 8"
Q2 = "cos(5x^2)"
Q3 = {"w": "6(3w + b - 4)", "b": "2(3w + b - 4)"}
