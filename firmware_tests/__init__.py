"""cocotb testbenches for generated RTL (shipped as ``hgq_hls.firmware_tests``)."""
