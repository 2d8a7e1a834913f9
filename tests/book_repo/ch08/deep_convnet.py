# Chapter 8.1: the book defines DeepConvNet in this file; nnscratch.book has it.
from nnscratch.book import DeepConvNet
