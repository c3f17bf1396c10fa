using System.Net;
using System.Text.RegularExpressions;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// A user with a cookie jar and no JavaScript: follows redirects itself (so a test can see and alter each hop) and
/// fills in oidc-provider's login and consent forms (devInteractions: any login name and password).
/// </summary>
internal sealed partial class BrowserUser : IDisposable
{
    private readonly HttpClient _client;

    public BrowserUser(string login, Uri app)
    {
        Login = login;
        App = app;
        _client = new HttpClient(new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public string Login { get; }

    public Uri App { get; }

    public CookieContainer Cookies { get; } = new();

    /// <summary>The authorization request the app sent the user to (the first hop to the provider's /auth).</summary>
    public Uri? AuthorizationRequest { get; private set; }

    /// <summary>Rewrites the hop to the provider's authorization endpoint, for tests that tamper with it.</summary>
    public Func<Uri, Uri>? RewriteAuthorizationRequest { get; set; }

    /// <summary>Signs in through the app's /login: provider login, consent, callback. Returns the last response (the app's /me).</summary>
    public async Task<HttpResponseMessage> SignInAsync()
    {
        var response = await FollowAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(App, "login")));
        for (var forms = 0; forms < 4 && IsProviderForm(response, out var action, out var prompt); forms++)
        {
            var fields = new Dictionary<string, string> { ["prompt"] = prompt };
            if (prompt == "login")
            {
                fields["login"] = Login;
                fields["password"] = "any";
            }

            var post = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
            response.Dispose();
            response = await FollowAsync(post);
        }

        return response;
    }

    public async Task<HttpResponseMessage> GetAsync(string path) => await FollowAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(App, path)));

    private async Task<HttpResponseMessage> FollowAsync(HttpRequestMessage request)
    {
        for (var hops = 0; ; hops++)
        {
            var response = await _client.SendAsync(request);
            request.Dispose();
            if (response.StatusCode is < HttpStatusCode.MovedPermanently or > HttpStatusCode.PermanentRedirect || response.Headers.Location is null || hops > 20)
            {
                return response;
            }

            var target = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location);
            if (target.AbsolutePath == "/auth" && target.Port != App.Port)
            {
                AuthorizationRequest ??= target;
                target = RewriteAuthorizationRequest?.Invoke(target) ?? target;
            }

            response.Dispose();
            request = new HttpRequestMessage(HttpMethod.Get, target);
        }
    }

    private static bool IsProviderForm(HttpResponseMessage response, out Uri action, out string prompt)
    {
        action = null!;
        prompt = null!;
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/html")
        {
            return false;
        }

        var html = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        var form = FormAction().Match(html);
        var hidden = PromptField().Match(html);
        if (!form.Success || !hidden.Success)
        {
            return false;
        }

        action = new Uri(response.RequestMessage!.RequestUri!, WebUtility.HtmlDecode(form.Groups[1].Value));
        prompt = hidden.Groups[1].Value;
        return true;
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"[^>]*method=\"post\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("name=\"prompt\" value=\"(\\w+)\"")]
    private static partial Regex PromptField();

    public void Dispose() => _client.Dispose();
}
