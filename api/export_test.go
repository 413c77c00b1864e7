package api

// Compressions counts the bodies compressed since the process started.
var Compressions = &compressions

// Negotiate is negotiate, for the table test.
func Negotiate(acceptEncoding string) string { return negotiate(acceptEncoding).token() }
