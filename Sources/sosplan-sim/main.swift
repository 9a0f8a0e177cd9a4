// Placeholder: the enclave tool simulators (ihkconfig, ihkosctl, pisces_*, lwkctl).
print("sosplan-sim: no simulators yet")
