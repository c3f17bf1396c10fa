using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// Checks the DPoP proof of a request against every rule of RFC 9449 §4.3, with Microsoft.IdentityModel verifying
/// the signature. Each failed rule has its own description. Safe for concurrent use.
/// </summary>
internal sealed class DPoPProofValidator
{
    private const string HeaderName = "DPoP";

    // RFC 7517/7518: members that only a private (or symmetric) key has.
    private static readonly string[] PrivateJwkMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly JsonWebTokenHandler _handler = new();
    private readonly DemoServerSettings _settings;
    private readonly ProofReplayCache _replays;
    private readonly string[] _validAlgorithms;

    public DPoPProofValidator(DemoServerSettings settings, ProofReplayCache replays)
    {
        _settings = settings;
        _replays = replays;
        _validAlgorithms = [.. settings.AllowedAlgorithms];
    }

    /// <summary>Validates the request's proof.</summary>
    /// <param name="request">The request; its <c>DPoP</c> header, method and URI are checked.</param>
    /// <param name="accessToken">The access token the request presents (then <c>ath</c> is required), or null.</param>
    /// <param name="boundThumbprint">The token's <c>cnf.jkt</c> the proof's key must match, or null.</param>
    /// <param name="nonces">The nonces the proof must carry one of, or null when no nonce is required.</param>
    public async Task<ProofValidationResult> ValidateAsync(HttpRequest request, string? accessToken, string? boundThumbprint, NonceIssuer? nonces)
    {
        // Rule 1: exactly one DPoP header. A comma means two headers folded into one (a JWS has no commas).
        var values = request.Headers[HeaderName];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Invalid("missing DPoP header");
        }

        var compact = values[0]!;
        if (values.Count > 1 || compact.Contains(',', StringComparison.Ordinal))
        {
            return Invalid("multiple DPoP headers");
        }

        // Rule 2: a well-formed compact JWS, by our parser and by Microsoft.IdentityModel's.
        if (!ParsedProof.TryParse(compact, out var proof, out var malformed) || proof is null)
        {
            return Invalid(malformed);
        }

        var claims = proof.Claims;
        if (!_handler.CanReadToken(compact))
        {
            return Invalid("malformed JWS: not readable as a JWT", claims);
        }

        // Rules 3 to 5: typ, alg, and a public jwk that fits alg.
        var headerFailure = CheckHeader(proof.Header, out var algorithm, out var jwkJson);
        if (headerFailure is not null)
        {
            return Invalid(headerFailure, claims);
        }

        // Rule 7: the required claims with their JSON types (before the signature, as RFC 9449 §4.3 lists them).
        var payload = proof.Payload;
        if (!TryGetString(payload, "jti", out var jti) || jti.Length == 0)
        {
            return Invalid("claim jti missing or not a non-empty string", claims);
        }

        if (!TryGetString(payload, "htm", out var htm))
        {
            return Invalid("claim htm missing or not a string", claims);
        }

        if (!TryGetString(payload, "htu", out var htu))
        {
            return Invalid("claim htu missing or not a string", claims);
        }

        if (!payload.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number ||
            !iatElement.TryGetDouble(out var iat))
        {
            return Invalid("claim iat missing or not a number", claims);
        }

        // Rule 6: the signature verifies with the header's own jwk.
        JsonWebKey key;
        string thumbprint;
        try
        {
            key = new JsonWebKey(jwkJson);
            thumbprint = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        }
        catch (ArgumentException)
        {
            return Invalid("jwk malformed", claims);
        }

        var signature = await _handler.ValidateTokenAsync(compact, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidTypes = ["dpop+jwt"],
            ValidAlgorithms = [algorithm],
        }).ConfigureAwait(false);
        if (!signature.IsValid)
        {
            // Name what Microsoft.IdentityModel objected to when it is not the signature itself.
            return signature.Exception is null or SecurityTokenInvalidSignatureException
                ? Invalid("invalid signature", claims)
                : Invalid($"invalid signature ({signature.Exception.GetType().Name})", claims);
        }

        // Rule 8: htm is the method, case-sensitive (RFC 9110 §9.1).
        if (!string.Equals(htm, request.Method, StringComparison.Ordinal))
        {
            return Invalid("htm mismatch", claims);
        }

        // Rule 9: htu is the target URI without query and fragment, compared after normalization.
        if (!TargetUri.TryNormalize(htu, out var claimedUri) ||
            !string.Equals(claimedUri, TargetUri.FromRequest(request), StringComparison.Ordinal))
        {
            return Invalid("htu mismatch", claims);
        }

        // Rule 10: iat within the window, both ways (clock skew).
        var now = _settings.TimeProvider.GetUtcNow();
        // Whole seconds, like iat itself, so truncation never costs a proof part of its window.
        var nowSeconds = (double)now.ToUnixTimeSeconds();
        var window = _settings.ProofLifetime.TotalSeconds;
        if (iat < nowSeconds - window)
        {
            return Invalid("iat too old", claims);
        }

        if (iat > nowSeconds + window)
        {
            return Invalid("iat in the future", claims);
        }

        // Rule 13: ath binds the proof to the presented token.
        if (accessToken is not null)
        {
            if (!payload.TryGetProperty("ath", out var athElement))
            {
                return Invalid("ath missing", claims);
            }

            if (athElement.ValueKind != JsonValueKind.String ||
                !string.Equals(athElement.GetString(), ComputeAth(accessToken), StringComparison.Ordinal))
            {
                return Invalid("ath mismatch", claims);
            }
        }

        // RFC 9449 §6/§7: the proof's key is the one the token is bound to.
        if (boundThumbprint is not null && !string.Equals(thumbprint, boundThumbprint, StringComparison.Ordinal))
        {
            return ProofValidationResult.Fail(ProofFailure.KeyMismatch, "jwk thumbprint does not match cnf.jkt", claims);
        }

        // Rule 12: a nonce this server issued, when it demands one.
        if (nonces is not null)
        {
            if (!payload.TryGetProperty("nonce", out var nonceElement))
            {
                return ProofValidationResult.Fail(ProofFailure.NonceRequired, "nonce missing", claims);
            }

            if (nonceElement.ValueKind != JsonValueKind.String)
            {
                return Invalid("claim nonce not a string", claims);
            }

            if (!nonces.IsValid(nonceElement.GetString()!))
            {
                return ProofValidationResult.Fail(ProofFailure.NonceRequired, "nonce unknown or expired", claims);
            }
        }

        // Rule 11, last: only proofs that passed every other check take a place in the replay cache.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((long)Math.Ceiling(iat)) + _settings.ProofLifetime + TimeSpan.FromSeconds(1);
        if (!_replays.TryRecord(jti, expiresAt, now))
        {
            return ProofValidationResult.Fail(ProofFailure.Replay, "jti replay", claims);
        }

        return ProofValidationResult.Valid(claims, thumbprint);
    }

    /// <summary>RFC 9449 §4.2: base64url of the SHA-256 hash of the token's ASCII bytes.</summary>
    public static string ComputeAth(string accessToken) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    private string? CheckHeader(JsonElement header, out string algorithm, out string jwkJson)
    {
        algorithm = string.Empty;
        jwkJson = string.Empty;

        // Rule 3: typ is exactly dpop+jwt (RFC 9449 §4.2, no case folding, no "application/" prefix).
        if (!TryGetString(header, "typ", out var typ) || !string.Equals(typ, "dpop+jwt", StringComparison.Ordinal))
        {
            return "typ is not dpop+jwt";
        }

        // Rule 4: an allowed asymmetric algorithm; none and MACs never, whatever the configuration says.
        if (!TryGetString(header, "alg", out algorithm) || algorithm == "none" ||
            algorithm.StartsWith("HS", StringComparison.Ordinal) || !_validAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            return "alg not allowed";
        }

        // Rule 5: a public jwk whose type and curve fit alg.
        if (!header.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
        {
            return "jwk missing or not an object";
        }

        foreach (var member in PrivateJwkMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return "jwk contains private key members";
            }
        }

        if (!TryGetString(jwk, "kty", out var kty) || kty is not ("EC" or "RSA"))
        {
            return "jwk kty not EC or RSA";
        }

        TryGetString(jwk, "crv", out var crv);
        var fits = algorithm switch
        {
            "ES256" => kty == "EC" && crv == "P-256",
            "ES384" => kty == "EC" && crv == "P-384",
            "ES512" => kty == "EC" && crv == "P-521",
            _ => kty == "RSA",
        };
        if (!fits)
        {
            return "jwk does not match alg";
        }

        jwkJson = jwk.GetRawText();
        return null;
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static ProofValidationResult Invalid(string detail, IReadOnlyDictionary<string, string>? claims = null) =>
        ProofValidationResult.Fail(ProofFailure.InvalidProof, detail, claims);
}
