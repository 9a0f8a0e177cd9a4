// The start-up floor `sosplan-bench` measures `sosplan --version` against: a
// Swift program that prints one line, built like sosplan (release,
// --static-swift-stdlib).
print("hello")
