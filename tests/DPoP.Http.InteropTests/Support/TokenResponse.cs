namespace DPoP.Http.InteropTests.Support;

/// <summary>A successful token response (RFC 6749 §5.1).</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, string? Scope, int ExpiresIn)
{
    /// <summary>No token in test output.</summary>
    public override string ToString() => $"TokenResponse {{ TokenType = {TokenType}, Scope = {Scope}, ExpiresIn = {ExpiresIn} }}";
}
