# Chapter 7.5: the book defines SimpleConvNet in this file; nnscratch.book has it.
from nnscratch.book import SimpleConvNet
