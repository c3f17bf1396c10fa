namespace DPoP.Http.DemoServer;

/// <summary>The outcome of an <c>authorization_code</c> or <c>refresh_token</c> grant: the tokens, or an OAuth error.</summary>
internal sealed record GrantResult(
    string? Error,
    string Description,
    string? AccessToken = null,
    string? RefreshToken = null,
    string? IdToken = null,
    string? Scope = null,
    string? Subject = null)
{
    public bool Succeeded => Error is null;

    public static GrantResult Fail(string error, string description) => new(error, description);
}
