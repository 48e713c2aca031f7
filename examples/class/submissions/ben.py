# Homework 3 - ben, first hand-in: the chain rule's inner derivative is missing in Q2
Q1 = "6x + 8"
Q2 = "cos(2x^2)"
Q3 = {"w": "10(5w + b - 7)", "b": "2(5w + b - 7)"}
