# Chapter 3.6.1: MNIST as load_mnist returns it, and the first training image saved as a picture.
import sys, os
sys.path.append(os.pardir)
import tempfile
import numpy as np
from dataset.mnist import load_mnist, init_mnist, img_dim, img_size, train_num, test_num
from common.util import *
from nnscratch.book import img_show

init_mnist()
(x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)
print("shapes", x_train.shape, t_train.shape, x_test.shape, t_test.shape)
print("dtypes", x_train.dtype, t_train.dtype)
print("sizes", train_num, test_num, img_dim, img_size)
img, label = x_train[0], t_train[0]
print("label", label)
path = img_show(img.reshape(28, 28), os.path.join(tempfile.mkdtemp(), "digit.png"))
print("saved", os.path.basename(path), os.path.getsize(path) > 0)

(x_train, t_train), _ = load_mnist(normalize=True, flatten=False, one_hot_label=True)
print("normalized", x_train.shape, x_train.dtype, float(x_train.max()), t_train.dtype, t_train[0])
