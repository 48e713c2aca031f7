# Homework 3 - cam: a sign slips in the derivative by b
Q1 = "15x^2 + 4"
Q2 = "12x cos(6x^2)"
Q3 = {"w": "10(5w + b - 7)", "b": "-2(5w + b - 7)"}
