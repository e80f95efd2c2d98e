// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of the config module's plain reader (config_lean.c) against
 * libxml2: for every input, config_parse_tree() (plain reader first) and
 * config_parse_tree_xml() (libxml2 alone) must give the same tree, element for element (name,
 * line, text), or the same error message; and the inputs the plain reader must take do not
 * load libxml2 (checked in a fresh process: the drop-in's start-up depends on it).
 */
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "config.h"

struct lean_case {
	char xml[512];
	bool plain; /* the plain reader must take it (no libxml2) */
};

/* Same tree, or a message naming the first difference. */
static bool same_tree(const struct config_elem *a, const struct config_elem *b, char *why,
		      size_t len)
{
	for (; a && b; a = a->next, b = b->next) {
		if (strcmp(a->name, b->name) || a->line != b->line || !a->text != !b->text ||
		    (a->text && strcmp(a->text, b->text))) {
			snprintf(why, len, "<%s> line %ld text '%s' vs <%s> line %ld text '%s'",
				 a->name, a->line, a->text ? a->text : "(parent)", b->name, b->line,
				 b->text ? b->text : "(parent)");
			return false;
		}
		if (!same_tree(a->children, b->children, why, len))
			return false;
	}
	if (a || b) {
		snprintf(why, len, "one tree has more elements (<%s>)", a ? a->name : b->name);
		return false;
	}
	return true;
}

static int find_xml(struct dl_phdr_info *info, size_t size, void *data)
{
	if (strstr(info->dlpi_name, "libxml2"))
		*(bool *)data = true;
	return 0;
}

/* In a child: parse with config_parse_tree(); exit 0 when libxml2 was not loaded. */
static bool parses_without_libxml2(const char *xml)
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct config_tree t;
		char err[CONFIG_ERR_MAX];
		bool loaded = false;

		if (config_parse_tree("arxdp.conf", "mem", xml, strlen(xml), &t, err, sizeof(err)))
			_exit(2);
		config_free_doc(&t);
		dl_iterate_phdr(find_xml, &loaded);
		_exit(loaded ? 1 : 0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

ParameterizedTestParameters(config_lean, same_as_libxml2)
{
	static struct lean_case cases[] = {
		{ "", true },
		{ "<arxdp/>", true },
		{ "<arxdp></arxdp>", true },
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<arxdp>\n  <pin_dir> /a </pin_dir>\n"
		  "</arxdp>\n",
		  true },
		{ "\xEF\xBB\xBF<arxdp><a>1</a><b/><c></c></arxdp>", true },
		{ "<!-- c\n -->\n<arxdp>\n<!-- x -->\n<a>1<!-- in -->2</a>\n</arxdp>", true },
		{ "<arxdp>\n\n<a>\t x y \t</a>\n <b >2</b >\n</arxdp>\n<other>3</other>", true },
		{ "<arxdp><a><b><c>deep</c></b></a><d>1</d></arxdp>", true },
		{ "<arxdp>text<a>1</a>more</arxdp>", true },
		{ "<!-- <a>x</a> & > - -->\n<arxdp><!-- <b/> -->\n<a>1</a></arxdp>", true },
		{ "<arxdp><!-- \xC3\xA9 --><a>1</a></arxdp>", false },
		{ "<a.b-c_d>v</a.b-c_d>", true },
		/* A leaf's text in several runs (comments between), and a parent's text dropped. */
		{ "<arxdp><a> <!-- c --> 1 <!-- d\n --> 2\t<!--e--></a>\n<b>x</b></arxdp>", true },
		{ "<arxdp><a><!-- only a comment --></a><b>\n<!-- x -->\n</b></arxdp>", true },
		{ "<arxdp>\n x <a>1</a> y <!-- z --> w\n<b>2</b>\n</arxdp>", true },
		{ "<arxdp><!--\n\n\t- a - b -\n-->\n\n<a>1</a><!---->\n<b>2</b></arxdp>", true },
		{ "<arxdp><a>1</a></arxdp><!-- trailing -->\n", true },
		{ "<Z9><_x.1-2>v</_x.1-2></Z9>", true },
		{ "<arxdp><a>~ !\"#$%'()*+,-./:;=?@[\\]^_`{|}</a></arxdp>", true },
		{ "<arxdp><!-- \x7f --><a>1</a></arxdp>", false },
		{ "<arxdp><a>\x7f</a></arxdp>", false },
		{ "<arxdp><a>1<!-- x</a></arxdp>", false },
		{ "<arxdp><-a>1</-a></arxdp>", false },
		{ "<arxdp><a>1</a><!-- x -- ></arxdp>", false },
		/* The prolog is read in place: what wrap_document() blanks is skipped the same way. */
		{ "\xEF\xBB\xBF \t\n<?xml version=\"1.0\"\n encoding=\"UTF-8\"?>\n<arxdp>\n<a>1</a>"
		  "\n</arxdp>",
		  true },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" \xE9?>\n\n<arxdp><b>2</b></arxdp>",
		  true },
		{ "<?xml?><arxdp/>", true },
		{ "\xEF\xBB\xBF", true },
		{ "<?xml ?>", true },
		{ "\r\n<?xml version=\"1.0\"?><arxdp/>", false },
		{ "<?xml version=\"1.0\"?", false },
		{ "\xEF\xBB<arxdp/>", false },
		{ "<arxdp/></arxdp>", false },
		{ "<arxdp><a>1</a></arxdp>\n</", false },
		{ "  \n<arxdp>\n<dry_run>yes</dry_run>\n</arxdp>", true },
		/* Everything else: libxml2 reads it, with the same result or message. */
		{ "<arxdp><a x=\"1\">v</a></arxdp>", false },
		{ "<arxdp><a>&amp;</a></arxdp>", false },
		{ "<arxdp><a>&bogus;</a></arxdp>", false },
		{ "<arxdp><a><![CDATA[<x>]]></a></arxdp>", false },
		{ "<arxdp><a>x > y</a></arxdp>", false },
		{ "<arxdp><a>\xC3\xA9</a></arxdp>", false },
		{ "<arxdp><a>\xC3</a></arxdp>", false },
		{ "<arxdp>\r\n<a>1</a>\r\n</arxdp>", false },
		{ "<arxdp><a\n>1</a></arxdp>", false },
		{ "<arxdp><a>1</b></arxdp>", false },
		{ "<arxdp><a>1</a>", false },
		{ "<arxdp><a>1</a></arxdp></arxdp>", false },
		{ "<arxdp><!-- a -- b --></arxdp>", false },
		{ "<arxdp><!-- a ---></arxdp>", false },
		{ "<arxdp><?pi x?></arxdp>", false },
		{ "<!DOCTYPE x><arxdp/>", false },
		{ "<arxdp><ns:a>1</ns:a></arxdp>", false },
		{ "<arxdp><1a>1</1a></arxdp>", false },
		{ "<arxdp>\x01</arxdp>", false },
		{ "<?xml version=\"1.0\"", false },
		{ "\n<?xml version=\"1.0\"?><arxdp/>", true },
		{ "<arxdp/><?xml version=\"1.0\"?>", false },
		{ "</arxdp-wrap><arxdp-wrap>", false },
		{ "<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p><q><r>1</r></q></p></o></n></m>"
		  "</l></k></j></i></h></g></f></e></d></c></b></a>",
		  false },
		{ "<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p>1</p></o></n></m>"
		  "</l></k></j></i></h></g></f></e></d></c></b></a>",
		  true },
	};
	return cr_make_param_array(struct lean_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct lean_case *c, config_lean, same_as_libxml2)
{
	char err_a[CONFIG_ERR_MAX] = "", err_b[CONFIG_ERR_MAX] = "", why[256];
	struct config_tree a, b;
	size_t len = strlen(c->xml);
	int ra, rb;

	/* First: the check forks, and this process has not loaded libxml2 yet. */
	if (c->plain)
		cr_expect(parses_without_libxml2(c->xml), "'%s' loaded libxml2", c->xml);
	ra = config_parse_tree("arxdp.conf", "mem", c->xml, len, &a, err_a, sizeof(err_a));
	rb = config_parse_tree_xml("arxdp.conf", "mem", c->xml, len, &b, err_b, sizeof(err_b));
	cr_expect_eq(ra, rb, "'%s': %d vs %d (%s | %s)", c->xml, ra, rb, err_a, err_b);
	cr_expect_str_eq(err_a, err_b, "'%s'", c->xml);
	if (!ra && !rb) {
		cr_expect(same_tree(a.root, b.root, why, sizeof(why)), "'%s': %s", c->xml, why);
		cr_expect_eq(a.doc == NULL, c->plain, "'%s': plain reader %s", c->xml,
			     a.doc ? "gave up" : "took it");
	}
	if (!ra)
		config_free_doc(&a);
	if (!rb)
		config_free_doc(&b);
}

struct file_case {
	char path[96];
};

/* Every arxdp.conf the project ships or tests with. */
ParameterizedTestParameters(config_lean, shipped_files)
{
	/* Arrays, not pointers: Criterion runs each test in a re-executed process. */
	static struct file_case files[] = {
		{ "conf/arxdp.conf" },
		{ "tests/data/conf/settings/full.conf" },
		{ "tests/data/replay/arxdp.conf" },
		{ "tests/fuzz/corpus/fuzz_settings/settings-full.conf" },
	};
	return cr_make_param_array(struct file_case, files, sizeof(files) / sizeof(files[0]));
}

ParameterizedTest(struct file_case *f, config_lean, shipped_files)
{
	const char *path[] = { f->path };

	char err[CONFIG_ERR_MAX], why[256], *buf;
	struct config_tree a, b;
	size_t len;

	cr_assert_eq(config_read_file(*path, &buf, &len), 0, "%s", *path);
	cr_expect(parses_without_libxml2(buf), "%s loaded libxml2", *path);
	cr_assert_eq(config_parse_tree("arxdp.conf", *path, buf, len, &a, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(config_parse_tree_xml("arxdp.conf", *path, buf, len, &b, err, sizeof(err)), 0,
		     "%s", err);
	cr_expect_null(a.doc, "%s: the plain reader gave up", *path);
	cr_expect(same_tree(a.root, b.root, why, sizeof(why)), "%s: %s", *path, why);
	config_free_doc(&a);
	config_free_doc(&b);
	free(buf);
}
