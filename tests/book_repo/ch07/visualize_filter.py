# Chapter 7.6.1 (figure 7-24): the first layer's 30 filters before and after training.
import numpy as np
import matplotlib.pyplot as plt
from simple_convnet import SimpleConvNet


def filter_show(filters, file_name, nx=8):
    FN = filters.shape[0]
    ny = int(np.ceil(FN / nx))
    fig = plt.figure()
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1, hspace=0.05, wspace=0.05)
    for i in range(FN):
        ax = fig.add_subplot(ny, nx, i + 1, xticks=[], yticks=[])
        ax.imshow(filters[i, 0], cmap=plt.cm.gray_r, interpolation='nearest')
    fig.savefig(file_name)  # the book: plt.show()


def neighbour_correlation(filters):
    # how alike horizontally and vertically adjacent weights are: ~0 for noise
    a = np.concatenate([filters[..., :, :-1].ravel(), filters[..., :-1, :].ravel()])
    b = np.concatenate([filters[..., :, 1:].ravel(), filters[..., 1:, :].ravel()])
    return np.corrcoef(a, b)[0, 1]


np.random.seed(0)
network = SimpleConvNet()
filter_show(network.params['W1'], "filters_before.png")  # random initial weights
print("neighbour correlation before:", neighbour_correlation(network.params['W1']))

network.load_params("params.pkl")  # after train_convnet.py
filter_show(network.params['W1'], "filters_after.png")
print("neighbour correlation after:", neighbour_correlation(network.params['W1']))
