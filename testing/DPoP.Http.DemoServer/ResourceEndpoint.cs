using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>/api/{**path}</c>, any method: a protected resource that accepts only DPoP-bound tokens with a valid proof
/// (RFC 9449 §7) and resource-server nonces (§9), and echoes the request back.
/// </summary>
internal sealed class ResourceEndpoint
{
    private const string NonceRequiredDescription = "Resource server requires nonce in DPoP proof";
    private const int MaxEchoedBodyBytes = 64 * 1024;

    private readonly DemoServerSettings _settings;
    private readonly DemoServerEventLog _log;
    private readonly DPoPProofValidator _proofs;
    private readonly AccessTokenService _tokens;
    private readonly AuthorizationState _state;
    private readonly NonceIssuer? _nonces;

    /// <summary>Creates the endpoint; <paramref name="nonces"/> is null when the resource server requires no nonce.</summary>
    public ResourceEndpoint(DemoServerSettings settings, DemoServerEventLog log, DPoPProofValidator proofs, AccessTokenService tokens, AuthorizationState state, NonceIssuer? nonces)
    {
        _state = state;
        _settings = settings;
        _log = log;
        _proofs = proofs;
        _tokens = tokens;
        _nonces = nonces;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = string.Concat(request.Method, " ", request.Path.ToString());
        _log.Statistics.AddResourceRequest();

        var authorization = request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            // RFC 6750 §3.1: no error code when the request carried no credentials at all.
            await ChallengeAsync(context, endpoint, error: null, "missing Authorization header").ConfigureAwait(false);
            return;
        }

        if (authorization.Count > 1 || !TrySplitCredentials(authorization[0], out var scheme, out var token))
        {
            await ChallengeAsync(context, endpoint, "invalid_request", "malformed or repeated Authorization header", StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }

        var isDPoP = scheme.Equals("DPoP", StringComparison.OrdinalIgnoreCase);
        if (!isDPoP && !scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            await ChallengeAsync(context, endpoint, error: null, "unsupported authorization scheme").ConfigureAwait(false);
            return;
        }

        var (accessToken, tokenError) = await _tokens.ValidateAsync(token, DemoServer.IssuerFor(context)).ConfigureAwait(false);
        if (accessToken is null)
        {
            await ChallengeAsync(context, endpoint, "invalid_token", tokenError).ConfigureAwait(false);
            return;
        }

        if (_state.IsAccessTokenRevoked(accessToken.Jti))
        {
            await ChallengeAsync(context, endpoint, "invalid_token", "access token revoked").ConfigureAwait(false);
            return;
        }

        if (!isDPoP)
        {
            // RFC 9449 §7.1: a DPoP-bound token must not be accepted as a bearer token; this server takes no bearer tokens at all.
            var detail = accessToken.BoundThumbprint is null ? "Bearer tokens are not accepted" : "DPoP-bound token presented with the Bearer scheme";
            await ChallengeAsync(context, endpoint, "invalid_token", detail).ConfigureAwait(false);
            return;
        }

        if (accessToken.BoundThumbprint is null)
        {
            await ChallengeAsync(context, endpoint, "invalid_token", "access token is not DPoP-bound (no cnf.jkt)").ConfigureAwait(false);
            return;
        }

        var proof = await _proofs.ValidateAsync(request, token, accessToken.BoundThumbprint, _nonces).ConfigureAwait(false);
        switch (proof.Failure)
        {
            case ProofFailure.None:
                break;
            case ProofFailure.NonceRequired:
                await ChallengeAsync(context, endpoint, "use_dpop_nonce", NonceRequiredDescription, claims: proof.Claims, eventDetail: proof.Detail).ConfigureAwait(false);
                return;
            case ProofFailure.KeyMismatch:
                await ChallengeAsync(context, endpoint, "invalid_token", proof.Detail, claims: proof.Claims).ConfigureAwait(false);
                return;
            default:
                if (proof.Failure == ProofFailure.Replay)
                {
                    _log.Statistics.AddReplayDetected();
                }

                await ChallengeAsync(context, endpoint, "invalid_dpop_proof", proof.Detail, claims: proof.Claims).ConfigureAwait(false);
                return;
        }

        var (bodyLength, body) = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        _log.ResourceOk(endpoint, $"accepted for {accessToken.ClientId}", proof.Claims);
        SetNonce(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("method", request.Method);
            writer.WriteString("path", request.Path.ToString());
            writer.WriteString("query", request.QueryString.ToString());
            writer.WriteString("jkt", proof.Thumbprint);
            writer.WriteString("client_id", accessToken.ClientId);
            writer.WriteString("sub", accessToken.Subject);
            writer.WriteNumber("bodyLength", bodyLength);
            writer.WriteString("body", body);
        }).ConfigureAwait(false);
    }

    /// <summary>A 401 (or 400) with <c>WWW-Authenticate: DPoP</c>, the error (if any) in it and in a JSON body, and the current nonce.</summary>
    private async Task ChallengeAsync(
        HttpContext context,
        string endpoint,
        string? error,
        string description,
        int statusCode = StatusCodes.Status401Unauthorized,
        IReadOnlyDictionary<string, string>? claims = null,
        string? eventDetail = null)
    {
        if (error == "use_dpop_nonce")
        {
            _log.NonceChallenge(endpoint, statusCode, eventDetail ?? description, claims);
        }
        else
        {
            _log.Rejected(endpoint, statusCode, eventDetail ?? description, claims);
        }

        var response = context.Response;
        response.Headers.WWWAuthenticate = OAuthResponses.DPoPChallenge(_settings.AllowedAlgorithms, error, error is null ? null : description);
        SetNonce(response);
        if (error is null)
        {
            // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error.
            response.StatusCode = statusCode;
            response.ContentLength = 0;
            return;
        }

        await OAuthResponses.WriteJsonAsync(response, statusCode, writer =>
        {
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
        }).ConfigureAwait(false);
    }

    // RFC 9449 §9: the current nonce on every resource response, not only on challenges.
    private void SetNonce(HttpResponse response)
    {
        if (_nonces is not null)
        {
            response.Headers[OAuthResponses.NonceHeader] = _nonces.Current;
        }
    }

    /// <summary>Splits <c>scheme SP token</c> (RFC 9110 §11.4); the token must be non-empty and without spaces.</summary>
    private static bool TrySplitCredentials(string? value, out string scheme, out string token)
    {
        scheme = string.Empty;
        token = string.Empty;
        var space = value?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (space <= 0)
        {
            return false;
        }

        scheme = value![..space];
        token = value[(space + 1)..].Trim(' ');
        return token.Length != 0 && !token.Contains(' ', StringComparison.Ordinal);
    }

    /// <summary>Reads the whole body; returns its length and its first 64 KB as UTF-8 text.</summary>
    private static async Task<(long Length, string Text)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var kept = new byte[MaxEchoedBodyBytes];
        var keptCount = 0;
        long total = 0;
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var take = Math.Min(read, MaxEchoedBodyBytes - keptCount);
            chunk.AsSpan(0, take).CopyTo(kept.AsSpan(keptCount));
            keptCount += take;
            total += read;
        }

        return (total, Encoding.UTF8.GetString(kept, 0, keptCount));
    }
}
