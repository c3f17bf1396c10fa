using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// Issues and validates the server's JWT access tokens (RFC 9068 shape, <c>typ</c> <c>at+jwt</c>), signed with an
/// ES256 key made when the server starts. A DPoP-bound token carries <c>cnf.jkt</c> (RFC 9449 §6.1).
/// </summary>
internal sealed class AccessTokenService : IDisposable
{
    public const string Audience = "demo-api";
    private const string TokenType = "at+jwt";

    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsaSecurityKey _key;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _timeProvider;

    public AccessTokenService(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _key = new ECDsaSecurityKey(_ecdsa) { KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8)) };
        _credentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>Creates a signed access token.</summary>
    /// <param name="issuer">The server's base address.</param>
    /// <param name="clientId">The authenticated client.</param>
    /// <param name="scope">The requested scope, echoed, or null.</param>
    /// <param name="thumbprint">The proof key's thumbprint for <c>cnf.jkt</c>, or null for an unbound token.</param>
    /// <param name="lifetime">The token lifetime.</param>
    /// <param name="subject">The user the token acts for (code flow), or null: then the client is the subject.</param>
    public string Issue(string issuer, string clientId, string? scope, string? thumbprint, TimeSpan lifetime, string? subject = null)
    {
        var now = _timeProvider.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = subject ?? clientId,
            ["client_id"] = clientId,
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        if (thumbprint is not null)
        {
            claims["cnf"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["jkt"] = thumbprint };
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            TokenType = TokenType,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Checks signature, type, issuer, audience and expiry (by the server's clock).</summary>
    /// <param name="token">The presented token.</param>
    /// <param name="issuer">The expected issuer, the server's base address.</param>
    /// <returns>The token's content, or null and why not.</returns>
    public async Task<(AccessToken? Token, string Error)> ValidateAsync(string token, string issuer)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidIssuer = issuer,
            ValidAudience = Audience,
            ValidTypes = [TokenType],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            // Lifetime is checked below against the server's TimeProvider, which tests may fake.
            ValidateLifetime = false,
            RequireExpirationTime = true,
        }).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, "access token signature or iss/aud/typ invalid");
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var root = payload.RootElement;
        if (!root.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds))
        {
            return (null, "access token has no exp");
        }

        if (_timeProvider.GetUtcNow().ToUnixTimeSeconds() >= expSeconds)
        {
            return (null, "access token expired");
        }

        var jti = root.TryGetProperty("jti", out var jtiElement) ? jtiElement.GetString() : null;
        if (string.IsNullOrEmpty(jti))
        {
            return (null, "access token has no jti");
        }

        var clientId = root.TryGetProperty("client_id", out var client) ? client.GetString() : null;
        if (string.IsNullOrEmpty(clientId))
        {
            return (null, "access token has no client_id");
        }

        var scope = root.TryGetProperty("scope", out var scopeElement) ? scopeElement.GetString() : null;
        var subject = root.TryGetProperty("sub", out var subElement) ? subElement.GetString() : null;
        string? thumbprint = null;
        if (root.TryGetProperty("cnf", out var cnf))
        {
            if (cnf.ValueKind != JsonValueKind.Object || !cnf.TryGetProperty("jkt", out var jkt) || jkt.ValueKind != JsonValueKind.String)
            {
                return (null, "access token cnf has no jkt");
            }

            thumbprint = jkt.GetString();
        }

        return (new AccessToken(clientId, scope, thumbprint, subject ?? clientId, jti, DateTimeOffset.FromUnixTimeSeconds(expSeconds)), string.Empty);
    }

    /// <summary>Writes the public key as a JWK (RFC 7517): kty, use, alg, kid, crv, x, y; never the private scalar.</summary>
    public void WritePublicJwk(Utf8JsonWriter writer)
    {
        var parameters = _ecdsa.ExportParameters(includePrivateParameters: false);
        writer.WriteStartObject();
        writer.WriteString("kty", "EC");
        writer.WriteString("use", "sig");
        writer.WriteString("alg", SecurityAlgorithms.EcdsaSha256);
        writer.WriteString("kid", _key.KeyId);
        writer.WriteString("crv", "P-256");
        writer.WriteString("x", Base64UrlEncoder.Encode(parameters.Q.X));
        writer.WriteString("y", Base64UrlEncoder.Encode(parameters.Q.Y));
        writer.WriteEndObject();
    }

    public void Dispose() => _ecdsa.Dispose();
}
