using Microsoft.Extensions.Primitives;

namespace DPoP.Http.DemoServer;

/// <summary>
/// Checks the parameters of an authorization request, sent to the authorization endpoint or pushed to the PAR
/// endpoint: a registered web client and redirect URI first (until both are known, errors cannot be redirected),
/// then <c>response_type=code</c>, PKCE with S256 (RFC 7636) and a well-formed <c>dpop_jkt</c> (RFC 9449 §10).
/// </summary>
internal static class AuthorizationRequestParser
{
    private static readonly string[] KnownParameters =
        ["client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "dpop_jkt", "login_hint"];

    /// <summary>Parses and checks a request.</summary>
    /// <param name="parameters">The request's parameters (query or form).</param>
    /// <param name="settings">The server settings (the registered clients).</param>
    /// <param name="error">Why the request is refused, or null.</param>
    /// <returns>The request, or null with <paramref name="error"/> set.</returns>
    public static AuthorizationRequest? Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters, DemoServerSettings settings, out AuthorizationRequestError? error)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            values[parameter.Key] = parameter.Value;
        }

        string? Single(string name) => values.TryGetValue(name, out var value) && value.Count == 1 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

        var clientId = Single("client_id");
        if (clientId is null || !settings.WebClients.TryGetValue(clientId, out var client))
        {
            error = new("invalid_request", "client_id missing, repeated or not a registered web client", null, "query", null);
            return null;
        }

        var redirectUri = Single("redirect_uri");
        if (redirectUri is null || !client.IsRedirectUri(redirectUri))
        {
            error = new("invalid_request", "redirect_uri missing, repeated or not registered for the client", null, "query", null);
            return null;
        }

        // From here on the client and its redirect URI are trusted: errors go back to it, with its state.
        var state = Single("state");
        var responseMode = Single("response_mode") ?? "query";
        if (responseMode is not ("query" or "form_post"))
        {
            error = new("invalid_request", "response_mode must be query or form_post", redirectUri, "query", state);
            return null;
        }

        AuthorizationRequest? Fail(string code, string description, out AuthorizationRequestError? failure)
        {
            failure = new(code, description, redirectUri, responseMode, state);
            return null;
        }

        // RFC 6749 §3.1: a parameter must not be included more than once.
        foreach (var name in KnownParameters)
        {
            if (values.TryGetValue(name, out var value) && value.Count > 1)
            {
                return Fail("invalid_request", $"{name} repeated", out error);
            }
        }

        if (values.ContainsKey("request"))
        {
            return Fail("request_not_supported", "request objects are not supported", out error);
        }

        if (values.ContainsKey("request_uri"))
        {
            return Fail("invalid_request", "request_uri is not allowed here", out error);
        }

        if (Single("response_type") != "code")
        {
            return Fail("unsupported_response_type", "response_type must be code", out error);
        }

        // RFC 7636 §4.3, RFC 9700 §2.1.1: PKCE is required, and only with S256 (plain would defeat it).
        var challenge = Single("code_challenge");
        if (challenge is null)
        {
            return Fail("invalid_request", "code_challenge required (PKCE)", out error);
        }

        if (Single("code_challenge_method") != "S256")
        {
            return Fail("invalid_request", "code_challenge_method must be S256", out error);
        }

        if (!IsBase64UrlSha256(challenge))
        {
            return Fail("invalid_request", "code_challenge must be 43 base64url characters", out error);
        }

        // RFC 9449 §10: dpop_jkt is the JWK SHA-256 thumbprint of the key the code will be bound to.
        var dpopJkt = Single("dpop_jkt");
        if (values.ContainsKey("dpop_jkt") && (dpopJkt is null || !IsBase64UrlSha256(dpopJkt)))
        {
            return Fail("invalid_request", "dpop_jkt must be a base64url SHA-256 JWK thumbprint", out error);
        }

        error = null;
        return new AuthorizationRequest(clientId, redirectUri, responseMode, Single("scope"), state, Single("nonce"), challenge, dpopJkt, Single("login_hint"));
    }

    /// <summary>43 base64url characters: the unpadded encoding of 32 bytes.</summary>
    public static bool IsBase64UrlSha256(string value)
    {
        if (value.Length != 43)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
