using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>POST /connect/token</c>: the client credentials grant (RFC 6749 §4.4) and, for web clients, the
/// authorization code and refresh token grants (<see cref="CodeFlowGrants"/>), with DPoP-bound tokens (RFC 9449 §5)
/// and token-endpoint nonces (§8).
/// </summary>
internal sealed class TokenEndpoint
{
    private const string NonceRequiredDescription = "Authorization server requires nonce in DPoP proof";

    private readonly DemoServerSettings _settings;
    private readonly DemoServerEventLog _log;
    private readonly ClientAuthenticator _clients;
    private readonly DPoPProofValidator _proofs;
    private readonly AccessTokenService _tokens;
    private readonly CodeFlowGrants _codeFlow;
    private readonly NonceIssuer? _nonces;

    /// <summary>Creates the endpoint; <paramref name="nonces"/> is null when the token endpoint requires no nonce.</summary>
    public TokenEndpoint(DemoServerSettings settings, DemoServerEventLog log, DPoPProofValidator proofs, AccessTokenService tokens, CodeFlowGrants codeFlow, NonceIssuer? nonces)
    {
        _codeFlow = codeFlow;
        _settings = settings;
        _log = log;
        _clients = new ClientAuthenticator(settings.ClientSecrets);
        _proofs = proofs;
        _tokens = tokens;
        _nonces = nonces;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var endpoint = string.Concat(request.Method, " ", request.Path.ToString());
        _log.Statistics.AddTokenRequest();

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded").ConfigureAwait(false);
            return;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_request", "the form body is malformed").ConfigureAwait(false);
            return;
        }

        var client = _clients.Authenticate(request, form);
        if (!client.Succeeded)
        {
            var status = client.PrepareRejection(response);
            await RejectAsync(context, endpoint, status, client.Error, client.Detail).ConfigureAwait(false);
            return;
        }

        var grantTypes = form["grant_type"];
        if (grantTypes.Count != 1 || string.IsNullOrEmpty(grantTypes[0]))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_request", "grant_type missing or repeated").ConfigureAwait(false);
            return;
        }

        var grantType = grantTypes[0]!;
        if (grantType is not ("client_credentials" or "authorization_code" or "refresh_token"))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "unsupported_grant_type", "only client_credentials, authorization_code and refresh_token are supported").ConfigureAwait(false);
            return;
        }

        if (grantType != "client_credentials" && !_settings.WebClients.ContainsKey(client.ClientId!))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "unauthorized_client", $"{grantType} is only for web clients").ConfigureAwait(false);
            return;
        }

        // RFC 9449 §5: a proof without ath; the token will be bound to its key.
        var proof = await _proofs.ValidateAsync(request, accessToken: null, boundThumbprint: null, _nonces).ConfigureAwait(false);
        switch (proof.Failure)
        {
            case ProofFailure.None:
                break;
            case ProofFailure.NonceRequired:
                // RFC 9449 §8: 400 use_dpop_nonce with a fresh DPoP-Nonce.
                _log.NonceChallenge(endpoint, StatusCodes.Status400BadRequest, proof.Detail, proof.Claims);
                await WriteAsync(context, StatusCodes.Status400BadRequest, writer =>
                {
                    writer.WriteString("error", "use_dpop_nonce");
                    writer.WriteString("error_description", NonceRequiredDescription);
                }).ConfigureAwait(false);
                return;
            default:
                if (proof.Failure == ProofFailure.Replay)
                {
                    _log.Statistics.AddReplayDetected();
                }

                await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_dpop_proof", proof.Detail, proof.Claims).ConfigureAwait(false);
                return;
        }

        if (grantType != "client_credentials")
        {
            var grant = grantType == "authorization_code"
                ? _codeFlow.ExchangeCode(context, form, client.ClientId!, proof.Thumbprint!)
                : _codeFlow.Refresh(context, form, client.ClientId!, proof.Thumbprint!);
            await WriteGrantAsync(context, endpoint, grantType, client.ClientId!, grant, proof.Claims).ConfigureAwait(false);
            return;
        }

        var scopes = form["scope"];
        var scope = scopes.Count == 1 && !string.IsNullOrEmpty(scopes[0]) ? scopes[0] : null;
        var tokenType = _settings.IssueBearerTokens ? "Bearer" : "DPoP";
        var accessToken = _tokens.Issue(
            DemoServer.IssuerFor(context),
            client.ClientId!,
            scope,
            _settings.IssueBearerTokens ? null : proof.Thumbprint,
            _settings.AccessTokenLifetime);

        // Events and counters before the response, so a client that has its answer also sees them recorded.
        _log.Statistics.AddGrant(grantType);
        _log.TokenIssued(endpoint, $"{tokenType} token issued to {client.ClientId}", proof.Claims);
        await WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("access_token", accessToken);
            writer.WriteString("token_type", tokenType);
            writer.WriteNumber("expires_in", (long)_settings.AccessTokenLifetime.TotalSeconds);
            if (scope is not null)
            {
                writer.WriteString("scope", scope);
            }
        }).ConfigureAwait(false);
    }

    private async Task WriteGrantAsync(HttpContext context, string endpoint, string grantType, string clientId, GrantResult grant, IReadOnlyDictionary<string, string>? claims)
    {
        if (!grant.Succeeded)
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, grant.Error!, grant.Description, claims).ConfigureAwait(false);
            return;
        }

        var tokenType = _settings.IssueBearerTokens ? "Bearer" : "DPoP";
        _log.Statistics.AddGrant(grantType);
        _log.TokenIssued(endpoint, $"{tokenType} token issued to {clientId} for {grant.Subject} ({grantType})", claims);
        await WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("access_token", grant.AccessToken);
            writer.WriteString("token_type", tokenType);
            writer.WriteNumber("expires_in", (long)_settings.AccessTokenLifetime.TotalSeconds);
            writer.WriteString("refresh_token", grant.RefreshToken);
            if (grant.IdToken is not null)
            {
                writer.WriteString("id_token", grant.IdToken);
            }

            if (grant.Scope is not null)
            {
                writer.WriteString("scope", grant.Scope);
            }
        }).ConfigureAwait(false);
    }

    private async Task RejectAsync(HttpContext context, string endpoint, int statusCode, string error, string description, IReadOnlyDictionary<string, string>? claims = null)
    {
        _log.Rejected(endpoint, statusCode, description, claims);
        await WriteAsync(context, statusCode, writer =>
        {
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
        }).ConfigureAwait(false);
    }

    private Task WriteAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> writeMembers)
    {
        // RFC 9449 §8.2: the current nonce on every token endpoint response, so clients always have a fresh one.
        if (_nonces is not null)
        {
            context.Response.Headers[OAuthResponses.NonceHeader] = _nonces.Current;
        }

        return OAuthResponses.WriteJsonAsync(context.Response, statusCode, writeMembers);
    }
}
