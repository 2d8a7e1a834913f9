# Chapter 7.2.4: the output size of a convolution for the book's three examples.
import sys, os
sys.path.append(os.pardir)
from common.util import conv_output_size

print(conv_output_size(4, 3, stride=1, pad=1))
print(conv_output_size(7, 3, stride=2, pad=0))
print(conv_output_size(28, 5, stride=3, pad=2), conv_output_size(31, 5, stride=3, pad=2))
