using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>POST /connect/par</c>: pushed authorization requests (RFC 9126). The web client authenticates as at the token
/// endpoint and pushes the parameters it would send to the authorization endpoint; the answer is a one-time
/// <c>request_uri</c>. A DPoP proof on the request (RFC 9449 §10.1) binds the code to its key like <c>dpop_jkt</c>
/// does, and must then carry the authorization server's nonce; with both, they must name the same key.
/// </summary>
internal sealed class PushedAuthorizationEndpoint
{
    private readonly DemoServerSettings _settings;
    private readonly DemoServerEventLog _log;
    private readonly ClientAuthenticator _clients;
    private readonly DPoPProofValidator _proofs;
    private readonly AuthorizationState _state;
    private readonly NonceIssuer? _nonces;

    public PushedAuthorizationEndpoint(DemoServerSettings settings, DemoServerEventLog log, DPoPProofValidator proofs, AuthorizationState state, NonceIssuer? nonces)
    {
        _settings = settings;
        _log = log;
        _clients = new ClientAuthenticator(settings.ClientSecrets);
        _proofs = proofs;
        _state = state;
        _nonces = nonces;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = string.Concat(request.Method, " ", request.Path.ToString());
        var (form, client, rejection) = await _clients.ReadFormAsync(context).ConfigureAwait(false);
        if (form is null)
        {
            await RejectAsync(context, endpoint, rejection, client.Error, client.Detail).ConfigureAwait(false);
            return;
        }

        if (!_settings.WebClients.ContainsKey(client.ClientId!))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "unauthorized_client", "the client is not registered for the authorization code flow").ConfigureAwait(false);
            return;
        }

        // RFC 9126 §2.1: client_id in the body, when present, names the authenticated client.
        if (form.TryGetValue("client_id", out var bodyClientId) && bodyClientId.ToString() != client.ClientId)
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_request", "client_id does not match the authenticated client").ConfigureAwait(false);
            return;
        }

        var parameters = form.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        parameters["client_id"] = client.ClientId;
        parameters.Remove("client_secret");
        var parsed = AuthorizationRequestParser.Parse(parameters, _settings, out var error);
        if (parsed is null)
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, error!.Error, error.Description).ConfigureAwait(false);
            return;
        }

        if (request.Headers.ContainsKey("DPoP"))
        {
            var proof = await _proofs.ValidateAsync(request, accessToken: null, boundThumbprint: null, _nonces).ConfigureAwait(false);
            if (proof.Failure == ProofFailure.NonceRequired)
            {
                _log.NonceChallenge(endpoint, StatusCodes.Status400BadRequest, proof.Detail, proof.Claims);
                await WriteAsync(context, StatusCodes.Status400BadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof").ConfigureAwait(false);
                return;
            }

            if (!proof.IsValid)
            {
                if (proof.Failure == ProofFailure.Replay)
                {
                    _log.Statistics.AddReplayDetected();
                }

                await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_dpop_proof", proof.Detail, proof.Claims).ConfigureAwait(false);
                return;
            }

            // RFC 9449 §10.1: the proof's key and dpop_jkt, when both are given, must be the same key.
            if (parsed.DPoPJkt is not null && parsed.DPoPJkt != proof.Thumbprint)
            {
                await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_dpop_proof", "dpop_jkt does not match the DPoP proof's key", proof.Claims).ConfigureAwait(false);
                return;
            }

            parsed = parsed with { DPoPJkt = proof.Thumbprint };
        }

        var id = _state.AddPending(parsed);
        _log.Statistics.AddPushedAuthorizationRequest();
        _log.Step(DemoServerEventKinds.RequestPushed, endpoint, StatusCodes.Status201Created,
            $"request pushed by {client.ClientId}{(parsed.DPoPJkt is null ? string.Empty : ", bound to dpop_jkt")}");
        SetNonce(context.Response);
        await OAuthResponses.WriteJsonAsync(context.Response, StatusCodes.Status201Created, writer =>
        {
            writer.WriteString("request_uri", AuthorizationState.RequestUriPrefix + id);
            writer.WriteNumber("expires_in", (long)AuthorizationState.PendingRequestLifetime.TotalSeconds);
        }).ConfigureAwait(false);
    }

    private Task RejectAsync(HttpContext context, string endpoint, int statusCode, string error, string description, IReadOnlyDictionary<string, string>? claims = null)
    {
        _log.Rejected(endpoint, statusCode, description, claims);
        return WriteAsync(context, statusCode, error, description);
    }

    private Task WriteAsync(HttpContext context, int statusCode, string error, string description)
    {
        SetNonce(context.Response);
        return OAuthResponses.WriteErrorAsync(context.Response, statusCode, error, description);
    }

    private void SetNonce(HttpResponse response)
    {
        if (_nonces is not null)
        {
            response.Headers[OAuthResponses.NonceHeader] = _nonces.Current;
        }
    }
}
