"""Offline jobs that train the article's models on CIFAR-10 and export the artifact bundle."""
