from nnscratch.book import *
