# bigheap may grow its heap to 40 MiB (the default is 16 MiB).
bigheap_HEAP_MAX := 40M
