namespace DPoP.Http.Internal;

/// <summary>A client-credentials token as <see cref="ClientCredentialsTokenProvider"/> holds it: the response and when to renew it.</summary>
internal sealed record ClientCredentialsCachedToken(DPoPTokenResponse Response, DateTimeOffset RenewAt)
{
    public DateTimeOffset ExpiresAt => Response.ExpiresAt;

    public override string ToString() => $"ClientCredentialsCachedToken {{ RenewAt = {RenewAt:O} }}";
}
