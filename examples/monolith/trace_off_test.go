//go:build !trace

package main

const traceSupport = false
