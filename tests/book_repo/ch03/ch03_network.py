# The chapter-3 helpers (init_network, forward, predict, get_data) as nnscratch.book gives them.
import sys, os
sys.path.append(os.pardir)
from nnscratch.book import init_network, forward, predict, get_data
