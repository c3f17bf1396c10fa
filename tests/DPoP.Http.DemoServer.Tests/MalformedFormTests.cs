using System.Net;
using System.Text;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Every form endpoint answers a body ASP.NET Core cannot read as a form with 400, never 500.</summary>
public sealed class MalformedFormTests
{
    private DemoServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [TestCase("connect/authorize")]
    [TestCase("connect/authorize/signin")]
    [TestCase("connect/par")]
    [TestCase("connect/revoke")]
    [TestCase("connect/endsession")]
    public async Task Post_FormKeyOverTheLimit_Returns400(string path)
    {
        // A key longer than FormOptions.KeyLengthLimit (2048) makes ReadFormAsync throw InvalidDataException.
        var body = new string('k', 3000) + "=v";

        using var response = await _http.PostAsync(new Uri(_server.BaseAddress, path), new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase("connect/authorize/signin")]
    [TestCase("connect/par")]
    [TestCase("connect/revoke")]
    public async Task Post_NotAForm_Returns400(string path)
    {
        using var response = await _http.PostAsync(new Uri(_server.BaseAddress, path), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
