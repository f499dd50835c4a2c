package dev.isthmus.http1;

/** Realistic request heads shared by the tests (the JMH benchmark in perf holds its own copy of the same shapes). */
final class Corpus {
    static final String BROWSER_GET = "GET /assets/js/app.3f9a1c.js?v=20261126 HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Accept: */*\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: no-cors\r\n"
            + "Sec-Fetch-Dest: script\r\n"
            + "Referer: https://www.example.com/products/widgets?page=2\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n"
            + "Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n"
            + "If-None-Match: \"5f3c-1a2b3c4d\"\r\n"
            + "\r\n";

    static final String POST_HEAD = "POST /api/v1/orders HTTP/1.1\r\n"
            + "Host: api.example.com\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 348\r\n"
            + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl\r\n"
            + "Accept: application/json\r\n"
            + "X-Request-Id: 7b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e\r\n"
            + "User-Agent: okhttp/4.12.0\r\n"
            + "\r\n";

    private Corpus() {
    }
}
