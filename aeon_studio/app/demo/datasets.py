"""Demo data for screenshots of the Dataset tab: realistic examples in Portuguese and English."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aeon_studio.app.context import AppContext
from aeon_studio.app.datasets.tab import DatasetTab

log = logging.getLogger(__name__)

# (user, assistant, rating or None, source) — technical, support, legal and general, in both languages.
_PAIRS: list[tuple[str, str, int | None, str]] = [
    ("Como instalar o Python no Windows?", "Baixe o instalador em python.org, marque \"Add Python to PATH\" e "
     "clique em Install Now. Depois confira com `python --version` no terminal.", 5, "chats"),
    ("Meu código dá erro 'ModuleNotFoundError: No module named requests'.", "O pacote não está instalado no "
     "ambiente ativo. Rode `pip install requests` no mesmo virtualenv que executa o programa.", 5, "chats"),
    ("How do I create a virtualenv?", "Run `python -m venv .venv`, then activate it with `source .venv/bin/activate` "
     "(Linux/macOS) or `.venv\\Scripts\\activate` (Windows).", 4, "import"),
    ("What does a 502 error from my server mean?", "A 502 Bad Gateway means the proxy got no valid answer from the "
     "app behind it: check that the app process is running and listening on the expected port.", 4, "import"),
    ("Como faço um SELECT com JOIN em SQL?", "Use `SELECT c.nome, p.total FROM clientes c JOIN pedidos p ON "
     "p.cliente_id = c.id;` — o JOIN liga as linhas pela chave em comum.", 5, "import"),
    ("Why is my Python function returning None?", "A function without a `return` statement returns None. Make sure "
     "every code path ends with `return value`.", 3, "chats"),
    ("O servidor Linux está sem espaço em disco, o que eu faço?", "Veja o que ocupa espaço com `du -sh /* | sort -h`, "
     "limpe logs antigos em /var/log e rode `apt-get clean` para apagar pacotes baixados.", 4, "import"),
    ("How do I fix 'permission denied' when I install a package?", "Install it into a virtualenv instead of the "
     "system Python, or use `pip install --user`. Avoid running pip with sudo.", None, "import"),
    ("Esqueci minha senha, como recupero a conta?", "Na tela de login, clique em \"Esqueci a senha\" e siga o link "
     "enviado para o seu e-mail. O link vale por 24 horas.", 5, "chats"),
    ("Meu pedido não chegou ainda, pode me ajudar?", "Claro! Me passe o número do pedido e eu verifico o status da "
     "entrega com a transportadora.", 4, "chats"),
    ("I want a refund for my order.", "I'm sorry it didn't work out. Refunds are available within 30 days: open "
     "Orders, choose the order and click \"Request refund\".", 4, "import"),
    ("The app is not working after the update.", "Let's fix it: close the app completely, clear its cache in "
     "Settings › Storage and open it again. If the problem persists, reinstall the latest version.", 3, "import"),
    ("Como altero o e-mail da minha conta?", "Vá em Perfil › Conta › E-mail, digite o novo endereço e confirme pelo "
     "link que enviaremos.", None, "import"),
    ("Can you help me? My password reset e-mail never arrives.", "Check the spam folder first. If it is not there, "
     "confirm the address in your account and ask for a new link; it can take a few minutes.", 2, "chats"),
    ("O que diz a LGPD sobre o consentimento?", "A LGPD exige que o consentimento seja livre, informado e inequívoco, "
     "para uma finalidade determinada, e que o titular possa revogá-lo a qualquer momento.", 5, "import"),
    ("Preciso de um advogado para um contrato de aluguel?", "Não é obrigatório, mas um advogado ajuda a revisar "
     "cláusulas de multa, reajuste e garantia antes de você assinar o contrato.", 4, "import"),
    ("What rights do I have under the GDPR?", "Access, rectification, erasure, restriction, portability and objection "
     "— and you can complain to your data protection authority.", None, "import"),
    ("Is a verbal contract legally binding?", "Often yes, but it is hard to prove. The law requires some contracts, "
     "such as property sales, to be in writing.", 3, "import"),
    ("Quem é você?", "Sou o Aeon, um assistente que roda no seu computador e aprende com as suas avaliações.",
     5, "chats"),
    ("Me dá uma ideia de jantar rápido?", "Que tal um omelete de legumes com queijo? Fica pronto em 10 minutos e "
     "combina com uma salada verde.", 4, "chats"),
    ("What's a good way to start running?", "Start with run/walk intervals — 1 minute running, 2 walking, for 20 "
     "minutes, three times a week — and add running time gradually.", 5, "chats"),
    ("Qual a diferença entre tempo e clima?", "Tempo é a condição da atmosfera num momento; clima é o padrão médio "
     "dessas condições ao longo de muitos anos numa região.", None, "import"),
    ("Can you summarize what photosynthesis is?", "Plants use light energy to turn water and carbon dioxide into "
     "glucose and oxygen.", 4, "import"),
    ("Me recomenda um livro de ficção científica?", "\"Duna\", de Frank Herbert: política, ecologia e aventura num "
     "planeta deserto. Se preferir algo curto, \"A Invenção de Morel\".", 5, "chats"),
    ("How many hours of sleep do adults need?", "Most adults need 7 to 9 hours a night; consistency matters as much "
     "as the total.", None, "import"),
    ("Traduza 'good morning' para o português.", "\"Bom dia.\"", 3, "chats"),
    ("Write a haiku about autumn.", "Leaves drift to the ground / the wind counts them one by one / the tree keeps "
     "none back", 4, "chats"),
    ("Qual a capital da Austrália?", "Camberra — não Sydney, como muita gente pensa.", 5, "import"),
    ("Explain what an API is in one sentence.", "An API is a documented way for one program to ask another for data "
     "or actions.", 4, "import"),
    ("Como configuro o Git com meu nome e e-mail?", "Rode `git config --global user.name \"Seu Nome\"` e `git config "
     "--global user.email voce@exemplo.com`.", 5, "import"),
    ("My laptop fan is very loud, is it a problem?", "Usually it means the CPU is busy or the vents are dusty: check "
     "the task manager and clean the vents with compressed air.", None, "import"),
    ("Posso cancelar a assinatura a qualquer momento?", "Pode sim: em Conta › Assinatura, clique em Cancelar. Você "
     "mantém o acesso até o fim do período pago.", 4, "chats"),
]


def demo_examples(now: datetime | None = None) -> list[dict[str, Any]]:
    """The demo examples as ``add_examples`` records (dates spread over the last six weeks)."""
    now = now or datetime.now(timezone.utc)
    rows = []
    for i, (user, reply, rating, source) in enumerate(_PAIRS):
        rows.append({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
                     "rating": rating, "source": source, "source_ref": f"demo:{i + 1}",
                     "created_at": now - timedelta(days=(i * 5) % 41, hours=i)})
    # a few multi-turn conversations
    rows.append({"messages": [
        {"role": "user", "content": "Quero aprender Python. Por onde começo?"},
        {"role": "assistant", "content": "Comece pelo tutorial oficial em docs.python.org e pratique com pequenos "
                                         "scripts do seu dia a dia."},
        {"role": "user", "content": "E depois do básico?"},
        {"role": "assistant", "content": "Escolha um projeto: automatizar uma planilha, um bot ou um site simples. "
                                         "Projetos reais fixam o aprendizado."}], "rating": 5, "source": "import",
        "source_ref": "conversation.log:118", "created_at": now - timedelta(days=2)})
    rows.append({"messages": [
        {"role": "system", "content": "You are a concise support agent."},
        {"role": "user", "content": "My order arrived damaged."},
        {"role": "assistant", "content": "I'm sorry! Send a photo of the damage and we will ship a replacement."},
        {"role": "user", "content": "Done, photo sent."},
        {"role": "assistant", "content": "Thanks — the replacement ships today; you'll get the tracking code by "
                                         "e-mail."}], "rating": 4, "source": "chats",
        "source_ref": "chats:demo", "created_at": now - timedelta(days=1)})
    return rows


def seed_demo(ctx) -> None:
    """A demo dataset (``demo-support``) and an identity set (``identity``) in ``ctx``'s database."""
    from aeon_studio.core.datasets import DatasetStore

    store = DatasetStore(ctx.db)
    if not store.exists("demo-support"):
        store.create("demo-support", description="Support, technical and everyday questions (PT/EN).")
        store.add_examples("demo-support", demo_examples())
    if not store.exists("identity"):
        store.build_identity("identity", "Aeon", "Ana Souza", "a local assistant that learns from your ratings")


DEMO_LOG = """VOCÊ: Oi, tudo bem?
AEON: Tudo ótimo! Em que posso ajudar hoje?
VOCÊ: Como instalo o Python no Linux?
AEON: Na maioria das distribuições ele já vem instalado.
Confira com `python3 --version`; se faltar, use `sudo apt install python3`.

VOCÊ: Qual a capital do Canadá?
AEON: Ottawa.

VOCÊ: Me manda um e-mail em ana.souza@example.com com o resumo?
AEON: Não consigo enviar e-mails, mas aqui está o resumo: instale o Python e teste com um script simples.

AEON: Resposta sem pergunta, isto deve ser rejeitado.

VOCÊ: Pergunta sem resposta.
"""


def write_demo_log(path: Path) -> Path:
    """A small speaker-labelled log (multi-line turn, PII, a rejected record) for the import dialog render."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DEMO_LOG, encoding="utf-8")
    return path


def render_dataset(ctx: AppContext, out_dir: Path, demo: bool = True) -> Path:
    """Render the tab with demo data to ``<out_dir>/dataset_tab.png`` (also ``dataset_import.png``, the import
    dialog over a demo log)."""
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.demo.datasets import seed_demo, write_demo_log

    if demo:
        seed_demo(ctx)
    tab = DatasetTab(ctx)
    tab.resize(1180, 760)
    tab.reload_datasets(select="demo-support")
    tab.show()
    QApplication.processEvents()
    from aeon_studio.app.shared.render import save_grab

    out = save_grab(tab, out_dir, "dataset_tab.png", dispose=False)
    try:
        log_path = write_demo_log(Path(out_dir) / "demo-conversation.log")
        dlg = tab.open_import([log_path])
        if dlg is not None:
            dlg.resize(980, 720)
            dlg.pii.setChecked(True)
            QApplication.processEvents()
            save_grab(dlg, out_dir, "dataset_import.png")
        log_path.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - the dialog needs the importers; the tab render stands on its own
        log.exception("import dialog render")
    tab.close()
    tab.deleteLater()
    return out
