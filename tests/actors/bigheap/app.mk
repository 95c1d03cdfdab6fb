bigheap_HEAP_MAX := 40M
