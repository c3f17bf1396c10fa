using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// Issues OpenID Connect ID tokens (Core §2), signed RS256 with a 2048-bit key made when the server starts and
/// published in the JWKS, and reads them back as <c>id_token_hint</c>.
/// </summary>
internal sealed class IdTokenService : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _timeProvider;

    public IdTokenService(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _key = new RsaSecurityKey(_rsa) { KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8)) };
        _credentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
    }

    /// <summary>Creates a signed ID token for <paramref name="user"/>, audience <paramref name="clientId"/>.</summary>
    /// <param name="issuer">The server's base address.</param>
    /// <param name="clientId">The web client, the token's <c>aud</c>.</param>
    /// <param name="user">The signed-in user.</param>
    /// <param name="nonce">The authorization request's nonce, or null.</param>
    /// <param name="authTime">When the user signed in.</param>
    /// <param name="accessToken">The access token issued with it, for <c>at_hash</c>.</param>
    /// <param name="lifetime">The token lifetime.</param>
    public string Issue(string issuer, string clientId, DemoUser user, string? nonce, DateTimeOffset authTime, string accessToken, TimeSpan lifetime)
    {
        var now = _timeProvider.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = user.Subject,
            ["auth_time"] = authTime.ToUnixTimeSeconds(),
            ["name"] = user.Name,
            ["email"] = user.Email,
            // OpenID Connect Core §3.1.3.6: the left half of the SHA-256 of the access token, for RS256.
            ["at_hash"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)).AsSpan(0, 16).ToArray()),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = clientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>
    /// Reads an <c>id_token_hint</c>: this server's signature and issuer are required, expiry is not (OpenID Connect
    /// RP-Initiated Logout §2 allows an expired hint).
    /// </summary>
    /// <returns>The token's audience (the client) and subject, or null when it is not a valid ID token of this server.</returns>
    public async Task<(string ClientId, string Subject)?> ReadHintAsync(string idToken, string issuer)
    {
        var result = await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
        }).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        var audience = jwt.Audiences.FirstOrDefault();
        return string.IsNullOrEmpty(audience) || string.IsNullOrEmpty(jwt.Subject) ? null : (audience, jwt.Subject);
    }

    /// <summary>Writes the public key as a JWK (RFC 7517): kty, use, alg, kid, n, e; never a private member.</summary>
    public void WritePublicJwk(Utf8JsonWriter writer)
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        writer.WriteStartObject();
        writer.WriteString("kty", "RSA");
        writer.WriteString("use", "sig");
        writer.WriteString("alg", SecurityAlgorithms.RsaSha256);
        writer.WriteString("kid", _key.KeyId);
        writer.WriteString("n", Base64UrlEncoder.Encode(parameters.Modulus));
        writer.WriteString("e", Base64UrlEncoder.Encode(parameters.Exponent));
        writer.WriteEndObject();
    }

    public void Dispose() => _rsa.Dispose();
}
