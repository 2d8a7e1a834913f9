# Chapter 8.1.1: training DeepConvNet with Adam (shortened: the book trains 20 epochs on all data).
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from deep_convnet import DeepConvNet
from common.trainer import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
x_train, t_train = x_train[:3000], t_train[:3000]  # the book: all 60,000
x_test, t_test = x_test[:500], t_test[:500]
np.random.seed(0)

network = DeepConvNet()
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=1, mini_batch_size=100,  # the book: 20 epochs
                  optimizer='Adam', optimizer_param={'lr': 0.001},
                  evaluate_sample_num_per_epoch=100, verbose=False)
trainer.train()
print("final test acc:", network.accuracy(x_test, t_test))

network.save_params("deep_convnet_params.pkl")
print("Saved Network Parameters!")
