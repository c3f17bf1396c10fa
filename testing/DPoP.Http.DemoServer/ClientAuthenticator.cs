using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>Authenticates confidential clients by <c>client_secret_basic</c> or <c>client_secret_post</c> (RFC 6749 §2.3.1).</summary>
internal sealed class ClientAuthenticator
{
    private readonly IReadOnlyDictionary<string, string> _clients;

    public ClientAuthenticator(IReadOnlyDictionary<string, string> clients) => _clients = clients;

    /// <summary>
    /// Reads a form body and authenticates its client (pushed authorization, revocation): the form and the client on
    /// success; otherwise no form, and the rejection to send with its status (a malformed body is a 400
    /// <c>invalid_request</c>; a failed authentication is prepared on the response, see <see cref="ClientAuthentication.PrepareRejection"/>).
    /// </summary>
    public async Task<(IFormCollection? Form, ClientAuthentication Client, int RejectionStatus)> ReadFormAsync(HttpContext context)
    {
        var form = await FormReader.TryReadAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            return (null, new ClientAuthentication(null, "invalid_request", "the body must be a well-formed application/x-www-form-urlencoded form", UsedBasic: false), StatusCodes.Status400BadRequest);
        }

        var client = Authenticate(context.Request, form);
        return client.Succeeded ? (form, client, 0) : (null, client, client.PrepareRejection(context.Response));
    }

    public ClientAuthentication Authenticate(HttpRequest request, IFormCollection form)
    {
        var hasBasic = TryReadBasic(request, out var basicId, out var basicSecret, out var basicMalformed);
        var postSecrets = form["client_secret"];
        if (basicMalformed)
        {
            return Fail("invalid_client", "malformed Basic credentials", usedBasic: true);
        }

        if (hasBasic && postSecrets.Count > 0)
        {
            // RFC 6749 §2.3: a client must not use more than one authentication method in a request.
            return Fail("invalid_request", "more than one client authentication method", usedBasic: true);
        }

        string? clientId;
        string? secret;
        if (hasBasic)
        {
            clientId = basicId;
            secret = basicSecret;
        }
        else
        {
            var postIds = form["client_id"];
            if (postIds.Count > 1 || postSecrets.Count > 1)
            {
                return Fail("invalid_request", "repeated client_id or client_secret", usedBasic: false);
            }

            clientId = postIds.Count == 1 ? postIds[0] : null;
            secret = postSecrets.Count == 1 ? postSecrets[0] : null;
        }

        if (string.IsNullOrEmpty(clientId) || secret is null)
        {
            return Fail("invalid_client", "client authentication missing", hasBasic);
        }

        if (!_clients.TryGetValue(clientId, out var expected) || !SecretsEqual(secret, expected))
        {
            return Fail("invalid_client", "unknown client or wrong secret", hasBasic);
        }

        return new ClientAuthentication(clientId, string.Empty, string.Empty, hasBasic);
    }

    private static bool TryReadBasic(HttpRequest request, out string? clientId, out string? secret, out bool malformed)
    {
        clientId = null;
        secret = null;
        malformed = false;
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value ||
            !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                malformed = true;
                return true;
            }

            // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
            clientId = FormDecode(decoded[..colon]);
            secret = FormDecode(decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            malformed = true;
            return true;
        }
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static bool SecretsEqual(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private static ClientAuthentication Fail(string error, string detail, bool usedBasic) =>
        new(null, error, detail, usedBasic);
}
