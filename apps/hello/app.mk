# hello: the seed declares a variable it never uses (`any`); the seed is compiled as given.
hello_CFLAGS := -Wno-unused-variable
