# Chapter 3.6.2-3.6.3: inference with the book's weights, one image at a time and in batches.
# The weights: $NNSCRATCH_SAMPLE_WEIGHT, else sample_weight.pkl beside this script.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import sigmoid, softmax
from ch03_network import init_network, predict, get_data

x, t = get_data()
network = init_network(os.environ.get("NNSCRATCH_SAMPLE_WEIGHT", "sample_weight.pkl"))

accuracy_cnt = 0
for i in range(len(x)):
    y = predict(network, x[i])
    p = np.argmax(y)
    if p == t[i]:
        accuracy_cnt += 1
print("Accuracy:" + str(float(accuracy_cnt) / len(x)))

batch_size = 100
accuracy_cnt = 0
for i in range(0, len(x), batch_size):
    y_batch = predict(network, x[i:i + batch_size])
    p = np.argmax(y_batch, axis=1)
    accuracy_cnt += np.sum(p == t[i:i + batch_size])
print("Batch accuracy:" + str(float(accuracy_cnt) / len(x)))
