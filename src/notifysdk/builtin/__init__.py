"""Built-in plugins: registered first, through the same hooks a third party uses."""
